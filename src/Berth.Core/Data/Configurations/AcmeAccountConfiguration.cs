using Berth.Core.Certificates;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Berth.Core.Data.Configurations;

internal sealed class AcmeAccountConfiguration : IEntityTypeConfiguration<AcmeAccountRecord>
{
    public void Configure(EntityTypeBuilder<AcmeAccountRecord> builder)
    {
        builder.ToTable("Hosting_AcmeAccounts");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).HasColumnName("ID").ValueGeneratedOnAdd();
        builder.Property(a => a.Directory).HasColumnName("Directory").IsRequired();
        builder.Property(a => a.AccountKey).HasColumnName("AccountKey").IsRequired();
        builder.Property(a => a.AccountUrl).HasColumnName("AccountUrl").IsRequired().HasDefaultValue("");
        builder.Property(a => a.Email).HasColumnName("Email").IsRequired().HasDefaultValue("");
        builder.Property(a => a.CreatedAt).HasColumnName("CreatedAt").IsRequired();
        builder.HasIndex(a => a.Directory).IsUnique().HasDatabaseName("idx_acme_directory");
    }
}

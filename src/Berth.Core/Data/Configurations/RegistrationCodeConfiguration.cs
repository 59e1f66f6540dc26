using Berth.Core.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Berth.Core.Data.Configurations;

internal sealed class RegistrationCodeConfiguration : IEntityTypeConfiguration<RegistrationCode>
{
    public void Configure(EntityTypeBuilder<RegistrationCode> builder)
    {
        builder.ToTable("System_RegistrationCodes");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).HasColumnName("ID").ValueGeneratedOnAdd();
        builder.Property(c => c.UserId).HasColumnName("UserID").IsRequired();
        builder.Property(c => c.Code).HasColumnName("Code").IsRequired();
        builder.Property(c => c.ValidUntil).HasColumnName("ValidUntil").IsRequired();
        builder.HasIndex(c => c.UserId).IsUnique().HasDatabaseName(SeedSchema.InlineConstraintPrefix + "System_RegistrationCodes_UserID");
        builder.HasIndex(c => c.Code).IsUnique().HasDatabaseName(SeedSchema.InlineConstraintPrefix + "System_RegistrationCodes_Code");
    }
}

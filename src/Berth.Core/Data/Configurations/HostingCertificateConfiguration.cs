using Berth.Core.Certificates;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Berth.Core.Data.Configurations;

internal sealed class HostingCertificateConfiguration : IEntityTypeConfiguration<HostingCertificate>
{
    public void Configure(EntityTypeBuilder<HostingCertificate> builder)
    {
        builder.ToTable("Hosting_Certificates");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).HasColumnName("ID").ValueGeneratedOnAdd();
        builder.Property(c => c.DomainName).HasColumnName("DomainName").IsRequired();
        builder.Property(c => c.Status).HasColumnName("Status").IsRequired().HasDefaultValue(CertificateStatus.Pending);
        builder.Property(c => c.CertificateChain).HasColumnName("CertificateChain");
        builder.Property(c => c.PrivateKey).HasColumnName("PrivateKey");
        builder.Property(c => c.NotBefore).HasColumnName("NotBefore");
        builder.Property(c => c.ExpiresAt).HasColumnName("ExpiresAt");
        builder.Property(c => c.LastError).HasColumnName("LastError");
        builder.Property(c => c.Attempts).HasColumnName("Attempts").IsRequired().HasDefaultValue(0);
        builder.Property(c => c.NextAttemptAt).HasColumnName("NextAttemptAt");
        builder.Property(c => c.UpdatedAt).HasColumnName("UpdatedAt").IsRequired();
        builder.HasIndex(c => c.DomainName).IsUnique().HasDatabaseName("idx_cert_domain");
    }
}
